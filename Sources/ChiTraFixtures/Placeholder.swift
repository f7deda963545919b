// ChiTraFixtures — placeholder until its first file lands.
