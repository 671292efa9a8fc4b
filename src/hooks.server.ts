import type { ServerInit } from '@sveltejs/kit';
import { building, dev } from '$app/environment';
import { env } from '$env/dynamic/private';

export { handle } from './auth.js';

export const init: ServerInit = () => {
	if (!dev && !building && !env.AUTH_SECRET) {
		throw new Error(
			'AUTH_SECRET is not set. The production server needs it to encrypt sessions: ' +
				'start it with AUTH_SECRET=$(openssl rand -base64 33) node build'
		);
	}
};
