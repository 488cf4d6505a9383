"""The demo's web server: Django's development server with Vietnamese start-up lines.

`materiel demo` is what a new user runs first; Django's English banner (and its warning about
production, which the demo is not) told them nothing they need. The server itself is the one
`runserver` would start, static files included."""

import signal
from datetime import datetime

from django.core.management import get_commands, load_command_class


def demo_server():
    """A runserver command (the installed one: staticfiles' or whitenoise's) that greets in Vietnamese."""
    base = type(load_command_class(get_commands()["runserver"], "runserver"))

    class DemoServer(base):
        def on_bind(self, server_port):
            now = datetime.now().strftime("%d/%m/%Y %H:%M:%S")
            self.stdout.write(
                f"{now} – máy chủ materiel (bản thử nghiệm) đang chạy tại {self.protocol}://{self.addr}:{server_port}/\n"
                "Dừng bằng Ctrl-C (tiến trình chạy nền cũng dừng theo)."
            )

    return DemoServer()


def stop_on_sigterm() -> None:
    """`kill` (SIGTERM) ends the demo like Ctrl-C does, so that its `finally` stops the worker too."""

    def interrupt(_signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
