#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/ (built by `npm run build`, which `npm install` runs via `prepare`).
import '../dist/cli/main.js';
