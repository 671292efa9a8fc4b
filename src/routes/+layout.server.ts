import { sessionSync } from '../auth.js';

export const load = sessionSync.load;
