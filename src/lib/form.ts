/**
 * The no-JavaScript form contract shared by `<UserDataEditor>` (browser) and the form action
 * (server). Pure: no `$app`, no `$env`, no Auth.js, so both halves can import it.
 */
import { isPlainObject } from './patch.js';

/** Name of the hidden input that maps each field of the form to its kind (JSON `{ name: kind }`). */
export const FORM_KINDS_INPUT = '__session_sync_fields';

/**
 * Name of the hidden input that carries the values the form was rendered with (JSON), so the action
 * saves only the fields the user changed.
 */
export const FORM_INITIAL_INPUT = '__session_sync_initial';

/** How a form control encodes its value. */
export type FormFieldKind = 'text' | 'textarea' | 'select' | 'number' | 'checkbox';

/** The value a control holds: a string, or a boolean for a checkbox. */
export type FormControlValue = string | boolean;

/**
 * Turn what a control holds into the value saved in the session, exactly as the form action does:
 * `''` becomes `null` (which removes the field), a number field becomes a number, a checkbox a boolean.
 *
 * @param kind - The field's kind.
 * @param raw - The control's value (`checked` for a checkbox).
 * @returns The value to put in the patch.
 * @example
 * ```ts
 * coerceFormValue('number', '42'); // 42
 * coerceFormValue('text', '');     // null
 * ```
 */
export function coerceFormValue(kind: FormFieldKind, raw: FormControlValue): unknown {
	if (typeof raw === 'boolean') return raw;
	if (kind === 'checkbox') return raw !== '' && raw !== 'false';
	if (kind === 'number') {
		const number = Number(raw);
		return raw.trim() === '' ? null : Number.isFinite(number) ? number : raw;
	}
	return raw || null;
}

/**
 * Turn a session value into what a control of `kind` shows: `''` for a missing value, `true`/`false`
 * for a checkbox, the JSON text for an object.
 *
 * @param kind - The field's kind.
 * @param value - The value in `session.user`.
 * @returns The control's value.
 * @example
 * ```ts
 * toFormValue('number', 42);          // '42'
 * toFormValue('checkbox', undefined); // false
 * ```
 */
export function toFormValue(kind: FormFieldKind, value: unknown): FormControlValue {
	if (kind === 'checkbox') return value === true;
	if (value == null) return '';
	return isPlainObject(value) || Array.isArray(value) ? JSON.stringify(value) : String(value);
}
