"""A stand-in for the desktop's notification server on a test's D-Bus session.

Owns org.freedesktop.Notifications and appends every Notify call to the file
given as the only argument, one JSON object per line, so the end-to-end tests
can assert what the app showed. Runs until killed.
"""

import json
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

IFACE = "org.freedesktop.Notifications"


class Notifications(dbus.service.Object):
    def __init__(self, bus, record):
        super().__init__(bus, "/org/freedesktop/Notifications")
        self.record = record
        self.next_id = 1

    @dbus.service.method(IFACE, in_signature="susssasa{sv}i", out_signature="u")
    def Notify(self, app_name, replaces_id, icon, summary, body, actions, hints, timeout):
        with open(self.record, "a", encoding="utf-8") as out:
            out.write(json.dumps({"app_name": str(app_name), "summary": str(summary), "body": str(body)}) + "\n")
        self.next_id += 1
        return dbus.UInt32(self.next_id - 1)

    @dbus.service.method(IFACE, in_signature="", out_signature="as")
    def GetCapabilities(self):
        return ["body"]

    @dbus.service.method(IFACE, in_signature="", out_signature="ssss")
    def GetServerInformation(self):
        return ("clinic-desk-e2e", "clinic-desk", "1.0", "1.2")

    @dbus.service.method(IFACE, in_signature="u", out_signature="")
    def CloseNotification(self, _id):
        pass


def main():
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    # Keep the name object alive: releasing it gives the name up.
    name = dbus.service.BusName(IFACE, bus)
    Notifications(bus, sys.argv[1])
    print("owning", name.get_name(), flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
