#!/usr/bin/env python3
"""Checks Engram's MCP server with an independent client: the official MCP Python SDK.

    mcp-check.py --stdio "engram mcp --db /tmp/x.sqlite --user alice"
        launches the command as the SDK's stdio client does; the second user is the same command with
        `--user <other>` appended (the last --user wins).
    mcp-check.py --url http://127.0.0.1:8080/mcp --key KEY [--other-key KEY2]
        streamable HTTP with `Authorization: Bearer KEY`; the second user is the client of KEY2.

Both: initialize, list the tools (every expected name), remember a unique text and recall it; then the second user
must not see it. Exits 1 with a message naming the failed step. Run it with the venv of scripts/python-tools.sh.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import anyio
import httpx2
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

EXPECTED_TOOLS = {
    "remember", "recall", "forget", "observe", "context", "facts", "add_fact", "link", "neighbours", "stats",
}
# Per call; a first recall may load the model and the user's vectors.
TIMEOUT_SECONDS = 120


class CheckFailed(Exception):
    """A step of the check did not do what it should."""


Connect = Callable[[], AbstractAsyncContextManager[ClientSession]]


def stdio_connection(command: list[str]) -> Connect:
    """Sessions with `command`, started as a subprocess speaking MCP on its standard input and output."""

    @asynccontextmanager
    async def connect() -> AsyncIterator[ClientSession]:
        server = StdioServerParameters(command=command[0], args=command[1:])
        async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
            yield session

    return connect


def http_connection(url: str, key: str) -> Connect:
    """Sessions with the streamable HTTP endpoint at `url`, authenticated with the API key `key`."""

    @asynccontextmanager
    async def connect() -> AsyncIterator[ClientSession]:
        # The SDK takes headers through the httpx2 client it is given (same timeouts as its own default client).
        timeout = httpx2.Timeout(30, read=300)
        async with (
            httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=timeout) as http,
            streamable_http_client(url, http_client=http) as (read, write),
            ClientSession(read, write) as session,
        ):
            yield session

    return connect


def text_of(result) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)


async def call(session: ClientSession, tool: str, arguments: dict) -> dict:
    """Calls a tool that must succeed; returns its structured content."""
    with anyio.fail_after(TIMEOUT_SECONDS):
        result = await session.call_tool(tool, arguments)
    if result.is_error:
        raise CheckFailed(f"{tool} returned an error: {text_of(result)}")
    if not isinstance(result.structured_content, dict):
        raise CheckFailed(f"{tool} returned no structured content")
    return result.structured_content


async def recalled_ids(session: ClientSession, query: str) -> list[str]:
    found = await call(session, "recall", {"query": query, "k": 5, "reinforce": False})
    return [entry["memory"]["id"] for entry in found.get("results", [])]


async def check_first_user(connect: Connect, text: str) -> str:
    """Initialize, list the tools, remember `text` and recall it; returns the memory's id."""
    async with connect() as session:
        with anyio.fail_after(TIMEOUT_SECONDS):
            initialized = await session.initialize()
        print(f"initialize: {initialized.server_info.name} {initialized.server_info.version}, "
              f"protocol {initialized.protocol_version}")
        with anyio.fail_after(TIMEOUT_SECONDS):
            tools = {tool.name for tool in (await session.list_tools()).tools}
        if missing := EXPECTED_TOOLS - tools:
            raise CheckFailed(f"tools/list lacks {sorted(missing)} (has {sorted(tools)})")
        print(f"tools/list: {len(tools)} tools, all expected present")
        remembered = await call(session, "remember", {"content": text, "tags": ["mcp-check"]})
        memory_id = remembered["memory"]["id"]
        print(f"remember: {remembered['action']} {memory_id}")
        if memory_id not in await recalled_ids(session, text):
            raise CheckFailed("recall did not return the memory just remembered")
        print("recall: found it")
        return memory_id


async def check_other_user(connect: Connect, text: str, memory_id: str) -> None:
    """The second user's recall must not return the first user's memory."""
    async with connect() as session:
        with anyio.fail_after(TIMEOUT_SECONDS):
            await session.initialize()
        if memory_id in await recalled_ids(session, text):
            raise CheckFailed("the second user recalled the first user's memory")
        forget = await session.call_tool("forget", {"id": memory_id})
        if not forget.is_error or not text_of(forget).startswith("memory_not_found:"):
            raise CheckFailed(f"the second user's forget of the first user's memory did not fail with "
                              f"memory_not_found: {text_of(forget)}")
        print("other user: does not see it, cannot forget it")


async def run(first: Connect, other: Connect | None) -> None:
    text = f"mcp-check {uuid.uuid4()}: the user's favourite colour is teal"
    memory_id = await check_first_user(first, text)
    if other is not None:
        await check_other_user(other, text, memory_id)


def causes(error: BaseException) -> list[BaseException]:
    """The errors inside `error`: task groups wrap what failed in their tasks in exception groups."""
    if isinstance(error, BaseExceptionGroup):
        return [cause for inner in error.exceptions for cause in causes(inner)]
    return [error]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--stdio", metavar="COMMAND", help="the server command, such as 'engram mcp --user alice'")
    mode.add_argument("--url", help="the streamable HTTP endpoint, such as http://127.0.0.1:8080/mcp")
    parser.add_argument("--key", help="the API key for --url")
    parser.add_argument("--other-key", help="a second user's API key for --url: it must not see the first's memory")
    parser.add_argument("--other-user", default=f"mcp-check-other-{uuid.uuid4().hex[:8]}",
                        help="with --stdio: the second user, run as COMMAND --user OTHER (default: a new user)")
    args = parser.parse_args()

    if args.stdio:
        command = shlex.split(args.stdio)
        if not command:
            parser.error("--stdio needs a command")
        first, other = stdio_connection(command), stdio_connection(command + ["--user", args.other_user])
        where = f"stdio: {args.stdio}"
    else:
        if not args.key:
            parser.error("--url needs --key")
        first = http_connection(args.url, args.key)
        other = http_connection(args.url, args.other_key) if args.other_key else None
        where = f"streamable HTTP: {args.url}"
    print(f"mcp-check over {where}")
    try:
        anyio.run(run, first, other)
    except Exception as error:  # noqa: BLE001 - any failure fails the check, with its cause
        for cause in causes(error):
            message = str(cause) if isinstance(cause, CheckFailed) else f"{type(cause).__name__}: {cause}"
            print(f"mcp-check: FAILED: {message}", file=sys.stderr)
        return 1
    print("mcp-check: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
