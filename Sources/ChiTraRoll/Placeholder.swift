// ChiTraRoll — placeholder until its first file lands.
