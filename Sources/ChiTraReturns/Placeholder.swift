// ChiTraReturns — placeholder until its first file lands.
