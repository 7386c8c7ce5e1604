// The official TypeScript SDK client calling a tool that reports progress.
// Usage: node progress.mjs CALLS STEPS -- COMMAND [ARGS...]
// Prints one JSON line: how many progress notifications each call received, and the
// errors the client reported (the SDK reports dropped progress through onerror).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const [calls, steps] = process.argv.slice(2, 4).map(Number);
const [command, ...args] = process.argv.slice(process.argv.indexOf("--") + 1);

const client = new Client({ name: "ts-sdk-progress-test", version: "0" });
const errors = [];
client.onerror = (error) => errors.push(String(error));
// The whole environment, so that MCP_TOOLHOST_* settings reach the server.
await client.connect(new StdioClientTransport({ command, args, env: process.env, stderr: "inherit" }));

const received = [];
for (let call = 0; call < calls; call++) {
  let count = 0;
  const result = await client.callTool({ name: "progress", arguments: { steps } }, undefined, {
    onprogress: () => count++,
  });
  if (result.content[0].text !== "finished") throw new Error(`unexpected result: ${JSON.stringify(result)}`);
  received.push(count);
}
await client.close();
console.log(JSON.stringify({ received, errors: errors.slice(0, 3) }));
