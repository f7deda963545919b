// ChiTraBatch — placeholder until its first file lands.
