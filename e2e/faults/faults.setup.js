// One stack for every fault in sequence: set-up, a minute or more of outage per fault and the
// checks after it; a hook or test that outlives this has hung.
jest.setTimeout(900_000);
