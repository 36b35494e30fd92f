-- A refresh token is bound to the secret it was minted from. Every rotation moves the deploy token to a new
-- secret generation, and a refresh token works only while its generation is the deploy token's: a login that
-- verified the old secret while a rotation ran cannot keep a working refresh token, whenever its INSERT lands.
ALTER TABLE deploy_tokens ADD COLUMN secret_generation integer NOT NULL DEFAULT 1;
ALTER TABLE refresh_tokens ADD COLUMN secret_generation integer NOT NULL DEFAULT 1;
