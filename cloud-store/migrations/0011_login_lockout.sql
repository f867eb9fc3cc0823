-- Login lockout per (account, source) with growing delays, and a per-account limit on
-- second-factor codes (issue 10, finding 6). `login_failures.key` now names what is counted:
--   pw:<sha256(e-mail)>:<sha256(source address)>  failed passwords of one e-mail from one source
--   sf:<account id>                               failed second-factor codes of one account
-- `locked_until` is when the current delay ends (null: no delay). Rows of the old per-e-mail
-- keys are dropped: they only held recent failure counts.
DELETE FROM login_failures;
ALTER TABLE login_failures ADD COLUMN locked_until timestamptz;
