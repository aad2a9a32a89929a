<?php
/**
 * Removes the plugin's settings (which hold the shared secret). Order meta stays: it is the
 * order's payment history.
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

delete_option( 'woocommerce_pagoefectivo_settings' );
