import { OperationError } from '../operations/operation-error.ts';

/** A rebuild's refusal or failure; what each code means to the CLI and the admin API is in the catalogue. */
export class RebuildError extends OperationError {}
