import { teeStdout } from "./log-tee";

// Every test file: what reaches stdout is also written to the scanned log file.
teeStdout();
