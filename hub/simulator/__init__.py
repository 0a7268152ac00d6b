"""The demo's simulator: every safety region and national partner playing a storyline."""

from hub.simulator.player import PlayerSettings, StoryPlayer
from hub.simulator.storyline import SILENT_REGION, STORYLINE, Beat

__all__ = ["SILENT_REGION", "STORYLINE", "Beat", "PlayerSettings", "StoryPlayer"]
