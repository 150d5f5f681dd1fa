#!/bin/sh
# Installs and starts two real applications on loopback behind TLS, for trying
# cookiescan by hand (never run in CI):
#   https://tomcat.test/  Tomcat 10 + its examples (JSESSIONID, FORM login)
#   https://wp.test/      WordPress on MariaDB, php-fpm (wp-login.php)
# nginx terminates TLS with a throwaway CA (/etc/realapps-tls/ca.pem) and redirects
# http:// to https://. Run as root on Debian 12; re-running it restarts what stopped.
#   REALAPPS_PASSWORD   the password of the apps' users (default below; loopback only)
set -eu
PASS=${REALAPPS_PASSWORD:-correct horse battery staple}
TLS=/etc/realapps-tls
HERE=$(cd "$(dirname "$0")" && pwd)

if ! dpkg -s tomcat10-examples wordpress wordpress-theme-twentytwentythree mariadb-server nginx php-fpm php-mysql libnss3-tools >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    tomcat10 tomcat10-examples tomcat10-admin wordpress wordpress-theme-twentytwentythree \
    mariadb-server nginx php-fpm php-mysql curl openssl libnss3-tools
fi

# Names that resolve to loopback but are not "localhost": Chromium treats localhost
# and 127.0.0.1 as secure contexts (it sends Secure cookies there over http://),
# which a real host never gets. 127.0.0.2, not 127.0.0.1: ports 80 and 443 of
# 127.0.0.1 stay free for tests that expect nothing to listen there.
sed -i '/ wp\.test tomcat\.test$/d' /etc/hosts
echo '127.0.0.2 wp.test tomcat.test' >> /etc/hosts

# A throwaway CA and one certificate for both names.
if [ ! -f $TLS/server.pem ]; then
  mkdir -p $TLS && cd $TLS
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -keyout ca.key -out ca.pem \
    -subj '/CN=realapps throwaway CA' -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj '/CN=wp.test' 2>/dev/null
  printf 'subjectAltName=DNS:wp.test,DNS:tomcat.test\nextendedKeyUsage=serverAuth\n' > ext.cnf
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 365 \
    -extfile ext.cnf -out server.pem 2>/dev/null
  chmod 600 ca.key server.key
  cd - >/dev/null
fi

# For scan.sh's TRUSTED=1 mode: a HOME whose NSS database trusts the CA, so
# Chromium sees no certificate error and honours HSTS as it would on a public
# certificate (with --ca-cert it continues past an error and ignores HSTS).
if [ ! -d $TLS/nsshome/.pki/nssdb ]; then
  mkdir -p $TLS/nsshome/.pki/nssdb
  certutil -N -d sql:$TLS/nsshome/.pki/nssdb --empty-password
  certutil -A -d sql:$TLS/nsshome/.pki/nssdb -n realapps-ca -t C,, -i $TLS/ca.pem
  cat /etc/ssl/certs/ca-certificates.crt $TLS/ca.pem > $TLS/nsshome/bundle.pem
fi

install -m 644 "$HERE/nginx-realapps.conf" /etc/nginx/sites-available/realapps
ln -sf /etc/nginx/sites-available/realapps /etc/nginx/sites-enabled/realapps
rm -f /etc/nginx/sites-enabled/default   # it listens on every address's port 80

# MariaDB + WordPress (Debian's /etc/wordpress/config-HOST.php).
service mariadb start >/dev/null 2>&1 || service mariadb start
service php8.2-fpm start >/dev/null 2>&1 || true
# (Debian's examples/setup-mysql asks for the new user's password on a terminal
# and fails; these are the same steps.)
if [ ! -f /etc/wordpress/config-wp.test.php ]; then
  DBPASS=$(openssl rand -hex 12)
  mysql -u root <<SQL
CREATE DATABASE IF NOT EXISTS wordpress;
CREATE USER IF NOT EXISTS wordpress@localhost IDENTIFIED BY '$DBPASS';
ALTER USER wordpress@localhost IDENTIFIED BY '$DBPASS';
GRANT ALL ON wordpress.* TO wordpress@localhost;
SQL
  (umask 027; cat > /etc/wordpress/config-wp.test.php <<PHP
<?php
define('DB_NAME', 'wordpress');
define('DB_USER', 'wordpress');
define('DB_PASSWORD', '$DBPASS');
define('DB_HOST', 'localhost');
define('WP_CONTENT_DIR', '/var/lib/wordpress/wp-content');
define('FS_METHOD', 'direct');
PHP
  )
  chgrp www-data /etc/wordpress/config-wp.test.php
fi
# a restart, not a reload: a reload cannot move a listening socket to another address
nginx -t && { nginx -s quit 2>/dev/null && sleep 2; nginx; }

# Tomcat: users for the examples' FORM login; no init script without systemd.
if ! grep -q 'username="alice"' /etc/tomcat10/tomcat-users.xml; then
  sed -i "s|</tomcat-users>|  <role rolename=\"tomcat\"/>\n  <user username=\"alice\" password=\"$PASS\" roles=\"tomcat,manager-gui\"/>\n</tomcat-users>|" \
    /etc/tomcat10/tomcat-users.xml
fi
# The examples app a second time at /examples-norotate, weakened on purpose: the
# FORM login keeps the anonymous session id (session fixation), a true positive for
# session-not-rotated-on-login.
[ -f /etc/tomcat10/Catalina/localhost/examples-norotate.xml ] ||
  cat > /etc/tomcat10/Catalina/localhost/examples-norotate.xml <<'XML'
<Context docBase="/usr/share/tomcat10-examples/examples">
  <Resources allowLinking="true"/>
  <Valve className="org.apache.catalina.authenticator.FormAuthenticator" changeSessionIdOnAuthentication="false"/>
</Context>
XML
grep -q 'address="127.0.0.2"' /etc/tomcat10/server.xml ||
  sed -i 's|<Connector port="8080" protocol="HTTP/1.1"|<Connector port="8080" address="127.0.0.2" protocol="HTTP/1.1"|' /etc/tomcat10/server.xml
if ! ss -ltn 'sport = :8080' | grep -q '127\.0\.0\.2'; then
  CATALINA_BASE=/var/lib/tomcat10 /usr/libexec/tomcat10/tomcat-update-policy.sh
  su tomcat -s /bin/sh -c 'CATALINA_HOME=/usr/share/tomcat10 CATALINA_BASE=/var/lib/tomcat10 \
    CATALINA_TMPDIR=/tmp JAVA_OPTS=-Djava.awt.headless=true \
    nohup /bin/sh /usr/libexec/tomcat10/tomcat-start.sh >/var/log/tomcat10/console.log 2>&1 &'
  for i in $(seq 1 90); do ss -ltn 'sport = :8080' | grep -q '127\.0\.0\.2' && break; sleep 1; done
fi

# WordPress's install form, once: site at https://wp.test, admin "alice".
C="curl -sS --cacert $TLS/ca.pem"
if ! $C https://wp.test/wp-login.php | grep -q 'user_login'; then
  $C -o /dev/null https://wp.test/wp-admin/install.php?step=1
  $C -o /dev/null --data-urlencode weblog_title=realapps --data-urlencode user_name=alice \
    --data-urlencode admin_password="$PASS" --data-urlencode admin_password2="$PASS" \
    --data-urlencode pw_weak=1 --data-urlencode admin_email=alice@wp.test \
    --data-urlencode blog_public=0 'https://wp.test/wp-admin/install.php?step=2'
fi
echo "ready: https://wp.test/ https://tomcat.test/examples/ (CA: $TLS/ca.pem)"
