<?php
/**
 * Plugin Name:       PagoEfectivo para WooCommerce
 * Plugin URI:        https://github.com/pe-pay/pe-pay
 * Description:       Cobre con PagoEfectivo: el cliente recibe un código CIP y paga en efectivo en bancos y agentes, o por banca móvil.
 * Version:           0.1.0
 * Requires at least: 6.3
 * Requires PHP:      7.4
 * Author:            pe-pay
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       woocommerce-pagoefectivo
 * Domain Path:       /languages
 * Requires Plugins:  woocommerce
 * WC requires at least: 8.3
 * WC tested up to:   9.8
 *
 * A thin gateway: every business rule lives in the PagoEfectivo bridge. This plugin registers
 * the payment method, calls the bridge with signed requests and renders what it returns.
 */

defined( 'ABSPATH' ) || exit;

define( 'PAGOEFECTIVO_PLUGIN_FILE', __FILE__ );
define( 'PAGOEFECTIVO_VERSION', '0.1.0' );
define( 'PAGOEFECTIVO_GATEWAY_ID', 'pagoefectivo' );

require_once __DIR__ . '/includes/class-pe-signer.php';
require_once __DIR__ . '/includes/class-pe-bridge-client.php';
require_once __DIR__ . '/includes/class-pe-voucher-display.php';
require_once __DIR__ . '/includes/class-pe-connect.php';

add_action(
	'before_woocommerce_init',
	static function () {
		if ( class_exists( '\Automattic\WooCommerce\Utilities\FeaturesUtil' ) ) {
			\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'custom_order_tables', PAGOEFECTIVO_PLUGIN_FILE, true );
			\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'cart_checkout_blocks', PAGOEFECTIVO_PLUGIN_FILE, true );
		}
	}
);

add_action(
	'plugins_loaded',
	static function () {
		load_plugin_textdomain( 'woocommerce-pagoefectivo', false, dirname( plugin_basename( PAGOEFECTIVO_PLUGIN_FILE ) ) . '/languages' );
		if ( ! class_exists( 'WC_Payment_Gateway' ) ) {
			return;
		}
		require_once __DIR__ . '/includes/class-wc-gateway-pagoefectivo.php';
		add_filter(
			'woocommerce_payment_gateways',
			static function ( $gateways ) {
				$gateways[] = 'WC_Gateway_PagoEfectivo';
				return $gateways;
			}
		);
		PE_Voucher_Display::register();
		PE_Connect::register();
	}
);

add_action(
	'woocommerce_blocks_loaded',
	static function () {
		if ( ! class_exists( '\Automattic\WooCommerce\Blocks\Payments\Integrations\AbstractPaymentMethodType' ) ) {
			return;
		}
		require_once __DIR__ . '/includes/class-pe-blocks-integration.php';
		add_action(
			'woocommerce_blocks_payment_method_type_registration',
			static function ( $registry ) {
				$registry->register( new PE_Blocks_Integration() );
			}
		);
	}
);
