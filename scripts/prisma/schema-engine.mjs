#!/usr/bin/env node
console.error("stand-in called", process.argv.slice(2).join(" "));process.exit(1)
