'use strict';
// Artillery loads engines with require('artillery-engine-<name>') and calls `new` on the export.
module.exports = require('./dist/index.js').OneBotEngine;
