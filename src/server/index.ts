/** The REST server's public surface: `buildApp` (a fastify instance over the library API). */
export { buildApp, APP_DEFAULTS, type AppOptions } from './app.js';
export { describeError, statusOfCode, type ErrorBody } from './errors.js';
export { UPLOADS_FOLDER } from './uploads.js';
export { dashboardPlugin } from './dashboard/plugin.js';
