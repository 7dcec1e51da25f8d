// The logging surface execution needs: pino's object-first call shape, so a pino Logger can be
// passed as is and tests can pass the silent one.
export interface AppLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export const silentLogger: AppLogger = {
  info() {},
  warn() {},
  error() {},
  debug() {},
};
