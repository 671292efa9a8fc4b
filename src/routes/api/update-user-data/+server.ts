import { sessionSync } from '../../../auth.js';

export const POST = sessionSync.POST;
