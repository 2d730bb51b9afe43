"""StopSignal: a stop signal is kept from construction on, and waiting for it takes no lock a signal
handler could need (the deadlock an Event.set() handler can hit)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest

from server.platform.stopsignal import StopSignal


@pytest.fixture
def restore_handlers() -> Iterator[None]:
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def test_a_signal_before_wait_is_kept(restore_handlers: None) -> None:
    stop = StopSignal()
    assert not stop.received
    os.kill(os.getpid(), signal.SIGTERM)
    assert stop.wait(poll=0.01) == signal.SIGTERM
    assert stop.received


def test_many_signals_at_the_moment_of_waiting_never_hang_the_process() -> None:
    """A child waits while its parent keeps sending SIGTERM into the first moments of the wait; it must
    print and exit every time (an Event-based wait deadlocked here once in a few hundred)."""
    child = textwrap.dedent("""
        import sys
        from server.platform.stopsignal import StopSignal
        stop = StopSignal()
        print("ready", flush=True)
        stop.wait(poll=0.001)
        print("stopped", flush=True)
    """)
    for _ in range(5):
        proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready"
            for _ in range(20):
                proc.send_signal(signal.SIGTERM)
            out, _ = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        assert out.strip() == "stopped"
        assert proc.returncode == 0


def test_the_batch_scheduler_stops_on_a_signal_and_gives_the_handlers_back(restore_handlers: None) -> None:
    import threading

    from server.scheduler import stop_on_signals

    before = signal.getsignal(signal.SIGTERM)
    stop = threading.Event()
    with stop_on_signals(stop):
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop.wait(5.0)  # relayed by a thread: the handler itself takes no lock
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # a second signal ends the process
    assert signal.getsignal(signal.SIGTERM) is before
