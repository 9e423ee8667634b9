// Every job handler module, imported for its registerJobHandler() call.
// One line per module; the worker process imports this file.
import './transcription.handler.js';
import '../../provider/provider.handlers.js';
export {};
