# my_tools.py
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from mcp_toolhost import Context, ToolError, tool


class Forecast(BaseModel):
    city: str
    celsius: float
    sky: Literal["clear", "cloudy", "rain"]


@tool(title="Weather forecast", read_only_hint=True, open_world_hint=True)
async def forecast(
    city: Annotated[str, Field(description="City name, e.g. 'Lyon'")],
    days: int = 1,
    ctx: Context | None = None,
) -> Forecast:
    """Forecast the weather.

    Args:
        days: How many days ahead, 1 to 7.
    """
    if not 1 <= days <= 7:
        raise ToolError("days must be between 1 and 7")  # the model reads this and retries
    if ctx:
        ctx.report_progress(1, 2, "asking the weather service")
    return Forecast(city=city, celsius=21.5, sky="clear")
