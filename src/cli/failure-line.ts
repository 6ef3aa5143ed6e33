import { ConfigError } from '../config.js';
import { VocableError } from '../errors.js';
import { CliError, EXIT_BAD_SETTING, EXIT_FAILURE } from './cli-error.js';
import { inCliWords } from './cli-wording.js';

interface SystemError extends Error {
  code?: string;
  path?: string;
  port?: number;
  address?: string;
}

/** The one line a failed command prints (without `vocable: `), and its exit code; never a stack trace. */
export function failureLine(error: unknown): { message: string; exitCode: number } {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof ConfigError) return { message: error.message, exitCode: EXIT_BAD_SETTING };
  if (error instanceof VocableError) return { message: inCliWords(error.message, error.param), exitCode: EXIT_FAILURE };
  const system = error as SystemError;
  switch (system?.code) {
    case 'EADDRINUSE':
      return { message: `port ${system.port ?? ''} on ${system.address ?? 'this machine'} is already in use: stop what listens there or pick another with --port`, exitCode: EXIT_BAD_SETTING };
    case 'EADDRNOTAVAIL':
      return { message: `cannot listen on ${system.address ?? 'that address'}: it is not an address of this machine (--host)`, exitCode: EXIT_BAD_SETTING };
    case 'EACCES':
    case 'EPERM':
      return { message: system.path ? `permission denied: ${system.path}` : `permission denied${system.port !== undefined ? ` to listen on port ${system.port} (ports below 1024 need root; pick another with --port)` : ''}`, exitCode: EXIT_FAILURE };
    case 'ENOENT':
      return { message: `no such file or folder: ${system.path ?? system.message}`, exitCode: EXIT_FAILURE };
    case 'ENOSPC':
      return { message: 'the disk is full', exitCode: EXIT_FAILURE };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message: `${message} (set VOCABLE_DEBUG=1 for the details)`, exitCode: EXIT_FAILURE };
}
