-- Tell every regauth replica when a deploy token changes in a way that matters to a credential check, so
-- each can drop what it remembers about that username at once. A trigger, not the application, sends it:
-- the CLI, another replica or a hand-written UPDATE all reach the listeners the same way. Last-use
-- bookkeeping (last_used_at, last_used_ip) is written every second and is deliberately not a change.
CREATE FUNCTION regauth_notify_deploy_token_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('regauth_deploy_token_changes', COALESCE(NEW.username, OLD.username));
  RETURN NULL;
END
$$;

CREATE TRIGGER deploy_tokens_notify_insert_delete
  AFTER INSERT OR DELETE ON deploy_tokens
  FOR EACH ROW EXECUTE FUNCTION regauth_notify_deploy_token_change();

CREATE TRIGGER deploy_tokens_notify_update
  AFTER UPDATE ON deploy_tokens
  FOR EACH ROW
  WHEN (OLD.secret_hash IS DISTINCT FROM NEW.secret_hash
     OR OLD.revoked_at IS DISTINCT FROM NEW.revoked_at
     OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
     OR OLD.repositories IS DISTINCT FROM NEW.repositories
     OR OLD.scopes IS DISTINCT FROM NEW.scopes
     OR OLD.token_lifetime_seconds IS DISTINCT FROM NEW.token_lifetime_seconds
     OR OLD.name IS DISTINCT FROM NEW.name
     OR OLD.username IS DISTINCT FROM NEW.username)
  EXECUTE FUNCTION regauth_notify_deploy_token_change();
