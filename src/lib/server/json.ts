import { SyncFailure } from './http.js';

/**
 * Parse a JSON request body, refusing duplicate keys in any object. `JSON.parse` keeps the last of
 * two equal keys while other parsers keep the first; refusing them removes that ambiguity.
 */
export function parseJsonStrict(text: string): unknown {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		throw new SyncFailure(400, 'invalid_json', 'The request body is not valid JSON');
	}
	const duplicate = findDuplicateKey(text);
	if (duplicate !== null) {
		throw new SyncFailure(400, 'invalid_json', `Duplicate key ${JSON.stringify(duplicate)} in the JSON body`);
	}
	return value;
}

/**
 * Scan already-valid JSON text for an object with the same key twice (after unescaping).
 * Iterative, so deep nesting cannot overflow the stack.
 */
function findDuplicateKey(text: string): string | null {
	const stack: Array<Set<string> | null> = [];
	for (let i = 0; i < text.length; i++) {
		const char = text[i];
		if (char === '{') stack.push(new Set());
		else if (char === '[') stack.push(null);
		else if (char === '}' || char === ']') stack.pop();
		else if (char === '"') {
			const start = i;
			for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
			const keys = stack[stack.length - 1];
			if (!keys) continue;
			let next = i + 1;
			while (text[next] === ' ' || text[next] === '\n' || text[next] === '\r' || text[next] === '\t') next++;
			if (text[next] !== ':') continue;
			const key = JSON.parse(text.slice(start, i + 1)) as string;
			if (keys.has(key)) return key;
			keys.add(key);
		}
	}
	return null;
}
