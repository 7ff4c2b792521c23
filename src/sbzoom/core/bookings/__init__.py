"""`sbzoom bookings ...`: give bookings their Zoom meetings, and look them up.

link.py      `bookings link`: the run (scope, run lock, engine, notices) over LinkServices
show.py      `bookings show`: where one booking stands
scope.py     which bookings a run covers
engine.py    the Linker: makes Zoom match SimplyBook for a set of bookings (the run's order)
  state.py          what one run's parts share: reads, writers, plan, clock; the daily allowance
  unit_meeting.py   a unit's meeting: reused, updated, adopted, moved, created
  one_to_one.py     a one-to-one booking: its link is the meeting's
  sessions.py       a class session: registrants added, adopted, cancelled
  cancellations.py  bookings gone, orphaned, unmapped, or moved to another unit
  write_back.py     the link written into the booking comment
units.py     bookings grouped into units: one-to-one bookings and class sessions
meeting.py   the meeting a unit should have: templates, the Zoom request, the state hash
writes.py    where the engine's changes go: the ledger and Zoom, or a dry run's recorders
listings.py  a host's meetings, indexed for the engine's per-unit lookups
model.py     what the engine sees and returns: views, plan, results, its interfaces
adapters.py  the engine's interfaces over the real Zoom and SimplyBook clients
converge.py  duplicate meetings from runs that share no disk: the one kept, the others gone
backfill.py  Zoom's 100 creates/updates per host per day, planned over days
workers.py   the elastic worker pool
"""
