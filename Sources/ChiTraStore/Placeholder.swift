// ChiTraStore — placeholder until its first file lands.
