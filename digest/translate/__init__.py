"""Translation: the engine, its cache, post-edits and the stage that gives every article its English."""
