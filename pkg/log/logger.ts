// Structured logs (winston): JSON when stdout is not a TTY, readable lines when it is.
import winston from 'winston';

export type Logger = winston.Logger;

export function createLogger(opts: { level?: string; json?: boolean; silent?: boolean } = {}): Logger {
  const json = opts.json ?? !process.stdout.isTTY;
  return winston.createLogger({
    level: opts.level ?? process.env.SWITCHYARD_LOG_LEVEL ?? 'info',
    silent: opts.silent ?? false,
    format: json
      ? winston.format.combine(winston.format.timestamp(), winston.format.json())
      : winston.format.combine(
          winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
          winston.format.printf(({ timestamp, level, message, ...meta }) => {
            const rest = Object.keys(meta).length ? ' ' + JSON.stringify(meta) : '';
            return `${timestamp} ${level} ${message}${rest}`;
          }),
        ),
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn'] })],
  });
}
