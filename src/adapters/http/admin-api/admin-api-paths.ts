export const ADMIN_API_PREFIX_PATH = '/api/v1';
