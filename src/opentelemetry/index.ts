export { instrumentBookableAuth } from './instrument.js';
export type { BookableAuthInstrumentation, InstrumentBookableAuthOptions } from './instrument.js';
