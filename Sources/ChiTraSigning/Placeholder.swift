// ChiTraSigning — placeholder until its first file lands.
