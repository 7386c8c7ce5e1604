// The official TypeScript SDK client over Streamable HTTP.
// Usage: node http.mjs URL
// Prints one JSON line: the tools it listed, a call's answer, and the progress a call received.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const client = new Client({ name: "ts-sdk-http-test", version: "0" });
const errors = [];
client.onerror = (error) => errors.push(String(error));
const transport = new StreamableHTTPClientTransport(new URL(process.argv[2]));
await client.connect(transport);

const { tools } = await client.listTools();
const added = await client.callTool({ name: "add", arguments: { a: 2, b: 40 } });
let progress = 0;
const finished = await client.callTool({ name: "progress", arguments: { steps: 3 } }, undefined, {
  onprogress: () => progress++,
});
const session = transport.sessionId !== undefined;
await transport.terminateSession();
await client.close();
console.log(
  JSON.stringify({
    tools: tools.some((tool) => tool.name === "add"),
    added: added.structuredContent,
    finished: finished.content[0].text,
    progress,
    session,
    errors: errors.slice(0, 3),
  }),
);
