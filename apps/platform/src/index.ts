/** The platform's public surface: what the CLI (and anything outside apps/platform) may use. */
export { ConfigError, loadConfig } from './config/app-config';
export type { AppConfig } from './config/app-config';
export { startPlatform } from './platform';
export type { RunningPlatform } from './platform';
