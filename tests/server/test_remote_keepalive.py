"""A remote server that goes silent is pinged, then given up and reconnected."""

from __future__ import annotations

import asyncio

from serverkit import running

from indiflask.server import Server


def test_a_silent_upstream_is_pinged_then_dropped_and_reconnected() -> None:
    async def main() -> None:
        received: list[bytes] = []
        connections = 0
        closed = asyncio.Event()

        async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal connections
            connections += 1
            while data := await reader.read(4096):  # never answers anything
                received.append(data)
            closed.set()
            writer.close()

        upstream = await asyncio.start_server(silent, "127.0.0.1", 0)
        port = upstream.sockets[0].getsockname()[1]
        server = Server(port=0)
        server.remote_keepalive = (0.2, 0.8)
        server.remote_backoff = (0.05, 0.1)
        remote = server.add_remote("127.0.0.1", port)
        async with running(server):
            async with asyncio.timeout(20):
                await closed.wait()
                while remote.connections < 2:
                    await asyncio.sleep(0.02)
        upstream.close()
        await upstream.wait_closed()
        text = b"".join(received)
        assert b'<getProperties version="1.7" device="*"/>' in text
        assert b"<pingRequest" in text

    asyncio.run(main())


def test_an_answering_upstream_is_kept() -> None:
    async def main() -> None:
        upstream_server = Server(port=0)
        async with running(upstream_server):
            server = Server(port=0)
            server.remote_keepalive = (0.1, 0.5)
            remote = server.add_remote("127.0.0.1", upstream_server.port)
            async with running(server):
                async with asyncio.timeout(10):
                    while not remote.connected:
                        await asyncio.sleep(0.02)
                # several timeouts long: the pings are answered, the link stays up
                await asyncio.sleep(1.5)
                assert remote.connected and remote.connections == 1

    asyncio.run(main())


def test_silence_while_we_hold_the_input_back_is_not_a_dead_peer() -> None:
    """While the server paces a remote (its clients are behind), the upstream
    socket is not read: that silence is ours, and must not end the link."""

    async def main() -> None:
        from indiflask.server.keepalive import Keepalive

        pings: list[bytes] = []
        gave_up = asyncio.Event()
        keepalive = Keepalive(0.05, 0.2, pings.append, gave_up.set)
        watch = asyncio.create_task(keepalive.run())
        keepalive.hold(True)
        await asyncio.sleep(0.6)  # three timeouts of silence, all while held
        assert not gave_up.is_set() and not keepalive.expired and pings == []
        keepalive.hold(False)  # reading again: the quiet time starts now
        async with asyncio.timeout(10):
            await gave_up.wait()
        assert keepalive.expired and pings
        await watch

    asyncio.run(main())
