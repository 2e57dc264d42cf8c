"""Safety, consent and control: what people do to stay safe, and what coordinators read."""

from __future__ import annotations
