import { sessionSync } from '../auth.js';

export const actions = sessionSync.actions;
