/* Nothing beyond the core types is needed for this investigation's data. */
