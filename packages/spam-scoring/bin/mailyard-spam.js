#!/usr/bin/env node
// The installed command: the built program (`npm run build` writes dist/).
import '../dist/cli.js';
