"""One rule component per record type; each module holds only its class and finder."""
