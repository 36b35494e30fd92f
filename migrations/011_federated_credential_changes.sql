-- Tell every regauth replica when a minted credential changes in a way that matters to a login with its
-- password, so each can drop what it remembers about that username at once (as 003 does for deploy tokens).
-- Revocation is the change that matters most; deleting expired ones (retention) is announced too. Last-use
-- bookkeeping and a new refresh token (not cached) are not changes.
CREATE FUNCTION regauth_notify_federated_credential_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('regauth_federated_credential_changes', COALESCE(NEW.username, OLD.username));
  RETURN NULL;
END
$$;

CREATE TRIGGER federated_credentials_notify_delete
  AFTER DELETE ON federated_credentials
  FOR EACH ROW EXECUTE FUNCTION regauth_notify_federated_credential_change();

CREATE TRIGGER federated_credentials_notify_update
  AFTER UPDATE ON federated_credentials
  FOR EACH ROW
  WHEN (OLD.password_digest IS DISTINCT FROM NEW.password_digest
     OR OLD.revoked_at IS DISTINCT FROM NEW.revoked_at
     OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
     OR OLD.repositories IS DISTINCT FROM NEW.repositories
     OR OLD.scopes IS DISTINCT FROM NEW.scopes
     OR OLD.username IS DISTINCT FROM NEW.username)
  EXECUTE FUNCTION regauth_notify_federated_credential_change();
