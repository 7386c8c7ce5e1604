"""The plugin module: its `@tool` functions are what mcp-toolhost serves."""

from typing import Literal

from mcp_toolhost import ToolError, tool

# Version and description default to the distribution's; say what else matters.
PLUGIN = {"mcp_toolhost": ">=0.1"}

LengthUnit = Literal["mm", "cm", "m", "km", "in", "ft", "yd", "mi"]
METRES = {"mm": 0.001, "cm": 0.01, "m": 1.0, "km": 1000.0, "in": 0.0254, "ft": 0.3048, "yd": 0.9144, "mi": 1609.344}


@tool(read_only_hint=True, idempotent_hint=True)
def convert_length(value: float, from_unit: LengthUnit, to_unit: LengthUnit) -> float:
    """Convert a length between metric and imperial units.

    Args:
        value: The length to convert.
        from_unit: The unit of `value`.
        to_unit: The unit to convert to.
    """
    return round(value * METRES[from_unit] / METRES[to_unit], 9)


@tool(read_only_hint=True, idempotent_hint=True)
def convert_temperature(value: float, from_unit: Literal["C", "F", "K"], to_unit: Literal["C", "F", "K"]) -> float:
    """Convert a temperature between Celsius, Fahrenheit and Kelvin.

    Args:
        value: The temperature to convert.
        from_unit: The scale of `value`.
        to_unit: The scale to convert to.
    """
    kelvin = {"C": value + 273.15, "F": (value - 32) * 5 / 9 + 273.15, "K": value}[from_unit]
    if kelvin < 0:
        raise ToolError(f"{value} {from_unit} is below absolute zero")
    result = {"C": kelvin - 273.15, "F": (kelvin - 273.15) * 9 / 5 + 32, "K": kelvin}[to_unit]
    return round(result, 9)
