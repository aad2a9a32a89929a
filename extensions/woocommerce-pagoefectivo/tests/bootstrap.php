<?php
/**
 * Small stand-ins for the WordPress / WooCommerce API the plugin uses. They record calls in
 * $GLOBALS['pe_test'] so tests can assert on them; nothing here tries to be WordPress.
 */

define( 'ABSPATH', __DIR__ . '/' );

function pe_test_reset() {
	$GLOBALS['pe_test'] = array( 'http' => array(), 'http_responses' => array(), 'notices' => array(), 'orders' => array(), 'options' => array(), 'actions' => array(), 'caps' => array() );
	$_GET     = array();
	$_REQUEST = array();
}
pe_test_reset();

class WP_Error {
	private $code;
	private $message;
	private $data;
	public function __construct( $code = '', $message = '', $data = null ) {
		$this->code    = $code;
		$this->message = $message;
		$this->data    = $data;
	}
	public function get_error_code() { return $this->code; }
	public function get_error_message() { return $this->message; }
	public function get_error_data() { return $this->data; }
}

function is_wp_error( $thing ) { return $thing instanceof WP_Error; }
function __( $text, $domain = 'default' ) { return $text; }
function esc_html__( $text, $domain = 'default' ) { return esc_html( $text ); }
function esc_html( $text ) { return htmlspecialchars( (string) $text, ENT_QUOTES, 'UTF-8' ); }
function esc_attr( $text ) { return esc_html( $text ); }
function esc_url( $url ) { return esc_html( $url ); }
function esc_url_raw( $url ) { return (string) $url; }
function wp_strip_all_tags( $text ) { return trim( strip_tags( (string) $text ) ); }
function wp_json_encode( $data ) { return json_encode( $data ); }
function sanitize_key( $key ) { return preg_replace( '/[^a-z0-9_\-]/', '', strtolower( (string) $key ) ); }
function absint( $v ) { return abs( (int) $v ); }
function add_action( $hook, $cb, $priority = 10, $args = 1 ) { $GLOBALS['pe_test']['actions'][ $hook ][] = $cb; }
function add_filter( $hook, $cb, $priority = 10, $args = 1 ) { add_action( $hook, $cb, $priority, $args ); }
function get_option( $name, $default = false ) { return $GLOBALS['pe_test']['options'][ $name ] ?? $default; }
function update_option( $name, $value ) { $GLOBALS['pe_test']['options'][ $name ] = $value; return true; }
function wc_add_notice( $message, $type = 'success' ) { $GLOBALS['pe_test']['notices'][] = array( $type, $message ); }
function wc_format_decimal( $v, $dp = false ) { return number_format( (float) $v, (int) $dp, '.', '' ); }
function wc_price( $v, $args = array() ) { return '<span>S/&nbsp;' . number_format( (float) $v, 2, '.', ',' ) . '</span>'; }
// Like WordPress: the site's timezone unless one is given. The test site is in Madrid, so a
// deadline formatted without Lima's timezone shows the wrong hour.
function wp_date( $format, $ts, $tz = null ) { return ( new DateTime( '@' . $ts ) )->setTimezone( $tz ?: new DateTimeZone( 'Europe/Madrid' ) )->format( $format ); }
function wc_get_order( $id ) { return $GLOBALS['pe_test']['orders'][ $id ] ?? false; }
function sanitize_text_field( $v ) { return trim( (string) $v ); }
function wp_unslash( $v ) { return $v; }
function home_url() { return 'https://tienda.example.pe'; }
function admin_url( $path = '' ) { return 'https://tienda.example.pe/wp-admin/' . $path; }
function add_query_arg( $args, $url ) { return $url . ( false === strpos( $url, '?' ) ? '?' : '&' ) . http_build_query( $args ); }
function wp_nonce_url( $url, $action ) { return add_query_arg( array( '_wpnonce' => 'nonce-' . $action ), $url ); }
function current_user_can( $cap ) { return in_array( $cap, $GLOBALS['pe_test']['caps'], true ); }
function check_admin_referer( $action ) {
	if ( ( $_REQUEST['_wpnonce'] ?? '' ) !== 'nonce-' . $action ) {
		throw new PE_Test_Stop( 'bad nonce', 403 );
	}
	return 1;
}

/** Thrown where WordPress would redirect or die and the plugin then calls exit. */
class PE_Test_Stop extends Exception {
	public $location;
	public function __construct( $location, $status ) {
		parent::__construct( (string) $location, (int) $status );
		$this->location = $location;
	}
}
function wp_redirect( $location, $status = 302 ) { throw new PE_Test_Stop( $location, $status ); }
function wp_safe_redirect( $location, $status = 302 ) { throw new PE_Test_Stop( $location, $status ); }
function wp_die( $message = '', $title = '', $args = array() ) { throw new PE_Test_Stop( 'die: ' . $message, $args['response'] ?? 500 ); }

function wp_remote_request( $url, $args ) {
	$GLOBALS['pe_test']['http'][] = array( 'url' => $url, 'args' => $args );
	$next = array_shift( $GLOBALS['pe_test']['http_responses'] );
	return null === $next ? new WP_Error( 'http_request_failed', 'no fake response' ) : $next;
}
function wp_remote_post( $url, $args ) { return wp_remote_request( $url, array_merge( $args, array( 'method' => 'POST' ) ) ); }
function wp_remote_retrieve_response_code( $r ) { return is_array( $r ) ? $r['response']['code'] : ''; }
function wp_remote_retrieve_body( $r ) { return is_array( $r ) ? $r['body'] : ''; }
function pe_fake_response( $status, $data ) {
	$GLOBALS['pe_test']['http_responses'][] = array( 'response' => array( 'code' => $status ), 'body' => json_encode( $data ) );
}

class WC_Payment_Gateway {
	public $id;
	public $method_title;
	public $method_description;
	public $title;
	public $description;
	public $has_fields;
	public $supports = array( 'products' );
	public $form_fields = array();
	public $settings = array();
	public function init_settings() {
		$saved = get_option( 'woocommerce_' . $this->id . '_settings', array() );
		foreach ( $this->form_fields as $k => $f ) {
			$this->settings[ $k ] = $saved[ $k ] ?? ( $f['default'] ?? '' );
		}
	}
	public function get_option( $key ) { return $this->settings[ $key ] ?? ''; }
	public function get_return_url( $order ) { return 'https://tienda.example.pe/finalizar-compra/order-received/' . $order->get_id() . '/?key=' . $order->get_order_key(); }
	public function supports( $feature ) { return in_array( $feature, $this->supports, true ); }
	public function process_admin_options() {}
}

class WC_Order_Refund_Stub {
	private $id;
	public function __construct( $id ) { $this->id = $id; }
	public function get_id() { return $this->id; }
}

class WC_Order {
	public $meta = array();
	public $saved_meta = array();
	public $status = 'pending';
	public $status_note = null;
	public $notes = array();
	public $refunds = array();
	public $payment_method = 'pagoefectivo';
	public $customer_id = 0;
	public $transaction_id = '';
	private $id;
	public function __construct( $id ) { $this->id = $id; }
	public function get_id() { return $this->id; }
	public function get_order_number() { return (string) $this->id; }
	public function get_order_key() { return 'wc_order_Xk3pQ9vLm2TzR'; }
	public function get_customer_id() { return $this->customer_id; }
	public function get_view_order_url() { return 'https://tienda.example.pe/mi-cuenta/view-order/' . $this->id . '/'; }
	public function get_total() { return '100.30'; }
	public function get_currency() { return 'PEN'; }
	public function get_billing_email() { return 'mariajose.quispe@example.pe'; }
	public function get_billing_first_name() { return 'María José'; }
	public function get_billing_last_name() { return 'Quispe Huamán'; }
	public function get_billing_phone() { return '+51 987 654 321'; }
	public function get_payment_method() { return $this->payment_method; }
	public function get_transaction_id() { return $this->transaction_id; }
	public function get_status() { return $this->status; }
	public function get_meta( $key ) { return $this->saved_meta[ $key ] ?? ''; }
	public function update_meta_data( $key, $value ) { $this->meta[ $key ] = $value; }
	public function save() { $this->saved_meta = array_merge( $this->saved_meta, $this->meta ); $this->meta = array(); return $this->id; }
	public function update_status( $status, $note = '' ) { $this->save(); $this->status = $status; $this->status_note = $note; }
	public function add_order_note( $note ) { $this->notes[] = $note; }
	public function get_refunds() { return $this->refunds; }
}

define( 'PAGOEFECTIVO_PLUGIN_FILE', dirname( __DIR__ ) . '/woocommerce-pagoefectivo.php' );
define( 'PAGOEFECTIVO_VERSION', '0.1.0' );
define( 'PAGOEFECTIVO_GATEWAY_ID', 'pagoefectivo' );

require_once dirname( __DIR__ ) . '/includes/class-pe-signer.php';
require_once dirname( __DIR__ ) . '/includes/class-pe-bridge-client.php';
require_once dirname( __DIR__ ) . '/includes/class-pe-voucher-display.php';
require_once dirname( __DIR__ ) . '/includes/class-pe-connect.php';
require_once dirname( __DIR__ ) . '/includes/class-wc-gateway-pagoefectivo.php';
