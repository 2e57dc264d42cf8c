"""Great-circle distances (haversine, mean Earth radius) and chord radii for tree searches."""

from __future__ import annotations

import math

import numpy as np

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2) - math.radians(lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def haversine_km_array(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Vectorised great-circle distance in km; inputs in radians."""
    dp = lat2 - lat1
    dl = lon2 - lon1
    a = np.sin(dp * 0.5) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dl * 0.5) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def chord_km(chord: np.ndarray) -> np.ndarray:
    """Great-circle km from chord lengths on the unit sphere."""
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, chord * 0.5))


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points (radians) as 3-D unit vectors: chord length grows with great-circle distance."""
    cos_lat = np.cos(lat)
    return np.column_stack((cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)))


def chord_for_km(km: float) -> float:
    """Chord length on the unit sphere for a great-circle distance, padded for rounding."""
    angle = min(math.pi, km / EARTH_RADIUS_KM)
    return 2 * math.sin(angle / 2) * (1 + 1e-9) + 1e-12
