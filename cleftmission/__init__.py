"""CleftMission: runs cleft lip and palate surgical missions end to end."""
