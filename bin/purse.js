#!/usr/bin/env node
// The `purse` command: runs the compiled JavaScript in dist/ (see bin/dist.js; built at `npm ci`, and
// rebuilt here only when src/ is newer than the build).
import { pathToFileURL } from 'node:url';
import { distEntry } from './dist.js';

// A failed command must not hang on a handle something left open (a half-started pool, a socket).
const FAILED_EXIT_GRACE_MS = 2_000;

const { main } = await import(pathToFileURL(await distEntry()).href);
const code = await main(process.argv.slice(2));
process.exitCode = code;
if (code !== 0) setTimeout(() => process.exit(code), FAILED_EXIT_GRACE_MS).unref();
