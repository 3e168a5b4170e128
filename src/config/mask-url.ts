/**
 * A URL as it may be shown to people (stdout, logs, error messages): the password of its user part and any
 * `password=` query parameter become `***`; the user name, host, port and path stay, as they are what an
 * operator needs to recognise the setting. Text that is not a `scheme://` URL (a SQLite path) is returned
 * as it is. One rule with the logs' masking of `url` keys, which lives in the foundation layer.
 */
export { maskUrlCredentials as maskUrl } from '../log/mask-value.js';
