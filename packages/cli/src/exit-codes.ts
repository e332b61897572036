/** What `fleet` exits with (0 ok, 1 failed, 2 usage, 3 refused, 4 timed out); each code's is in the catalogue. */
export { ExitCode, type ExitCodeValue } from '@fleet/errors';
